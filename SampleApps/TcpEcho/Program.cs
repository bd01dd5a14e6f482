using Samples.TcpEcho;

return await TcpEchoApp.RunAsync(args);
