using System.CommandLine;
using Mesh.Cli.Client;

namespace Mesh.Cli.Commands;

/// <summary>
/// Runs a command body and turns expected failures (<see cref="CliException"/>, unreadable
/// files) into an "error: ..." line on stderr and exit code 1; an unexpected exception is
/// reported the same way, with its type — never a stack trace.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                return await body(result, cancellationToken);
            }
            catch (CliException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                foreach (var detail in ex.Details)
                {
                    await context.Error.WriteLineAsync($"  {detail}");
                }

                return 1;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A defect, not bad input; still one line and exit code 1, never a stack trace.
                await context.Error.WriteLineAsync($"error: internal error ({ex.GetType().Name}): {ex.Message}");
                return 1;
            }
        });

    /// <summary>A client for the server and token the command line (or environment) names.</summary>
    public static ControlPlaneClient Client(ParseResult result, GlobalOptions global, CliContext context) =>
        new(global.ServerOf(result, context), global.TokenOf(result, context));
}
