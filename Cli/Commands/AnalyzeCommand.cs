using System.CommandLine;
using Mesh.Cli.Files;

namespace Mesh.Cli.Commands;

/// <summary><c>meshctl analyze -f FILE|DIR</c>: local validation only (no control plane needed).</summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliContext context)
    {
        var files = ApplyCommand.FileOption("Files or directories (recursive) of Istio YAML to check");
        var command = new Command("analyze", "Validate configuration files locally, as the control plane would") { files };
        CommandAction.Set(command, context, async (result, _) =>
        {
            var paths = result.GetRequiredValue(files);
            var read = ConfigFiles.Read(paths, context);
            var local = ConfigFiles.Validate(read);
            if (!local.IsValid)
            {
                throw ApplyCommand.ValidationFailed(local.Errors.Select(e => e.ToString()).ToList(), "fix them before applying");
            }

            await context.Out.WriteLineAsync(
                $"No validation issues found in {local.Objects.Count} object(s) from {read.Count} file(s) ({string.Join(", ", paths)}).");
            return 0;
        });
        return command;
    }
}
