using Samples.ExtAuthz;

return await ExtAuthzApp.RunAsync(args);
