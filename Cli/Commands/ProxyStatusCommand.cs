using System.CommandLine;
using Mesh.Cli.Client;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary><c>meshctl proxy-status [PROXY]</c>: which proxies hold the configuration last sent to them (like istioctl).</summary>
internal static class ProxyStatusCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var proxy = new Argument<string?>("PROXY") { Description = "Only this proxy", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("proxy-status", "Show each connected proxy's sync status: SYNCED, PENDING, STALE or NACKED") { proxy };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            using var client = CommandAction.Client(result, global, context);
            var proxies = await client.ProxiesAsync(cancellationToken);
            await ConfigHealthWarning.WriteAsync(client, context, cancellationToken);
            var only = result.GetValue(proxy);
            if (only is not null)
            {
                proxies = [.. proxies.Where(p => p.Id == only)];
                if (proxies.Count == 0)
                {
                    throw new CliException($"proxy '{only}' is not connected");
                }
            }

            if (proxies.Count == 0)
            {
                await context.Error.WriteLineAsync("No proxies connected.");
                return 0;
            }

            var now = DateTimeOffset.UtcNow;
            var table = new TableWriter("NAME", "KIND", "WORKLOAD", "STATUS", "SENT", "ACKED", "ERROR");
            foreach (var p in proxies)
            {
                table.Add(p.Id, p.Kind, $"{p.Workload}.{p.Namespace}", p.Status, Version(p.SentVersion, p.SentAt, now), Version(p.AckedVersion, p.AckedAt, now), ErrorOf(p, now));
            }

            table.WriteTo(context.Out);
            return 0;
        });
        return command;
    }

    private static string Version(string? version, DateTimeOffset? at, DateTimeOffset now) =>
        version is null ? "-" : $"{(version.Length > 12 ? version[..12] : version)} ({Age.Since(at, now)})";

    private static string ErrorOf(ApiProxyStatus proxy, DateTimeOffset now) =>
        proxy.BuildError is { } build ? $"build failed: {build}"
        : proxy.Status == "NACKED" ? proxy.NackError ?? ""
        : proxy.BlockedWrite is { } blocked ? $"not reading: a {blocked.Bytes}-byte write waits ({Age.Since(blocked.Since, now)})"
        : "";
}
