using Mesh.Cli;

return await MeshCtl.RunAsync(args, CliContext.System);
