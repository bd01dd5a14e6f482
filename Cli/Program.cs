using Mesh.Cli;
using Mesh.Cli.Commands;

return await MeshCtl.RunAsync(args, CliContext.System);
