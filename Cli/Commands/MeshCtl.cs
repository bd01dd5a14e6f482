using System.CommandLine;

namespace Mesh.Cli.Commands;

/// <summary>meshctl's command tree; <see cref="RunAsync"/> is the whole program (tests call it in-process).</summary>
internal static class MeshCtl
{
    public static RootCommand CreateRoot(CliContext context)
    {
        var global = new GlobalOptions();
        return new RootCommand("meshctl: manage the Mesh control plane's Istio configuration and inspect its proxies")
        {
            global.Server,
            global.Token,
            ApplyCommand.Create(global, context),
            GetCommand.Create(global, context),
            DeleteCommand.Create(global, context),
            AnalyzeCommand.Create(context),
            StatusCommand.Create(global, context),
            ProxyStatusCommand.Create(global, context),
            ProxyConfigCommand.Create(global, context),
            ExplainCommand.Create(global, context),
            DescribeCommand.Create(global, context),
            WorkloadCommand.Create(global, context),
            VersionCommand.Create(global, context),
        };
    }

    public static Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default) =>
        CreateRoot(context).Parse(args).InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
}
