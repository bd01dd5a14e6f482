using System.CommandLine;
using System.Reflection;

namespace Mesh.Cli.Commands;

/// <summary><c>meshctl version</c>: the client's version and, unless <c>--client</c>, what the control plane serves.</summary>
internal static class VersionCommand
{
    public static string ClientVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var clientOnly = new Option<bool>("--client") { Description = "Only the client version (do not contact the control plane)" };
        var command = new Command("version", "Print the meshctl version and the control plane's state") { clientOnly };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            await context.Out.WriteLineAsync($"meshctl version: {ClientVersion}");
            if (result.GetValue(clientOnly))
            {
                return 0;
            }

            using var client = CommandAction.Client(result, global, context);
            try
            {
                var status = await client.StatusAsync(cancellationToken);
                await context.Out.WriteLineAsync(status.Accepted
                    ? $"control plane: {client.Server} (configuration generation {status.Generation}, {status.Objects} objects)"
                    : $"control plane: {client.Server} (no configuration accepted)");
                if (ConfigHealthWarning.Text(status) is { } warning)
                {
                    await context.Error.WriteLineAsync(warning);
                }
            }
            catch (CliException ex)
            {
                await context.Out.WriteLineAsync($"control plane: unavailable ({ex.Message})");
            }

            return 0;
        });
        return command;
    }
}
