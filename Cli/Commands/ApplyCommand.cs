using System.CommandLine;
using Mesh.Cli.Client;
using Mesh.Cli.Files;

namespace Mesh.Cli.Commands;

/// <summary><c>meshctl apply -f FILE|DIR</c>: validate locally (every error, exit 1), then apply as one change.</summary>
internal static class ApplyCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var files = FileOption("Files or directories (recursive) of Istio YAML to apply; '-' reads standard input");
        var ns = GetCommand.NamespaceOption();
        ns.Description = "Namespace of the objects that name none (kubectl's -n; default: default); an object naming another one is an error";
        var command = new Command("apply", "Create or replace configuration on the control plane") { files, ns };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            var read = ConfigFiles.Read(result.GetRequiredValue(files), context);
            var local = ConfigFiles.Validate(read, @namespace: result.GetValue(ns));
            if (!local.IsValid)
            {
                throw ValidationFailed(local.Errors.Select(e => e.ToString()).ToList(), "nothing was applied");
            }

            if (local.Objects.Count == 0)
            {
                throw new CliException("no objects found in the given files");
            }

            using var client = CommandAction.Client(result, global, context);
            var change = await client.ApplyAsync(ConfigFiles.Combine(read), result.GetValue(ns), cancellationToken);
            if (change.Errors is { Count: > 0 } errors)
            {
                throw ValidationFailed(errors.Select(e => e.Formatted).ToList(), "the control plane rejected the change; nothing was applied");
            }

            var verb = change.Outcome == "unchanged" ? "unchanged" : "applied";
            foreach (var key in change.Keys)
            {
                await context.Out.WriteLineAsync($"{key} {verb}");
            }

            if (!string.IsNullOrEmpty(change.Message))
            {
                await context.Out.WriteLineAsync($"note: {change.Message}");
            }

            await context.Out.WriteLineAsync($"configuration generation {change.Generation}");
            return 0;
        });
        return command;
    }

    internal static Option<string[]> FileOption(string description) => new("--filename", "-f")
    {
        Description = description,
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    internal static CliException ValidationFailed(IReadOnlyList<string> errors, string outcome) =>
        new($"{errors.Count} validation error(s); {outcome}", errors);
}
