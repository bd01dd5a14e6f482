using System.CommandLine;
using System.Text.Json;
using Mesh.Cli.Client;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl status [-o text|json]</c>: the configuration the control plane serves (accepted
/// generation), every source it refuses now, with each error's file, document and field path, and
/// every Gateway server port a gateway cannot listen on. Exit code 0 when everything serves, 2 when
/// a source is refused, nothing was ever accepted or a listener is not bound (so scripts and CI can
/// gate on it), 1 when the control plane cannot be asked.
/// </summary>
internal static class StatusCommand
{
    public const int DegradedExitCode = 2;

    // The admin API's own field names.
    private static readonly JsonSerializerOptions CamelCase = new(Json.Indented) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var output = GetCommand.OutputOption("text", "json");
        var command = new Command("status", "Show the accepted configuration generation and every refused source with its errors") { output };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            using var client = CommandAction.Client(result, global, context);
            var status = await client.StatusAsync(cancellationToken);
            if (result.GetRequiredValue(output) == "json")
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(status, CamelCase));
            }
            else
            {
                await WriteAsync(context.Out, client.Server, status, DateTimeOffset.UtcNow);
            }

            return status.IsDegraded ? DegradedExitCode : 0;
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter output, Uri server, ApiConfigStatus status, DateTimeOffset now)
    {
        await output.WriteLineAsync($"control plane:    {server}");
        await output.WriteLineAsync(status.Accepted
            ? $"configuration:    generation {status.Generation}, {status.Objects} objects, accepted {Age.Since(status.AcceptedAt, now)} ago from {status.AcceptedFrom}"
            : "configuration:    NONE ACCEPTED: nothing is pushed to proxies and the control plane is not ready");
        if (status.ConfigDirectory is { } directory)
        {
            await output.WriteLineAsync($"config directory: {directory} ({(status.FilesInSync ? "in sync" : "holds a refused change; the last accepted files serve")})");
        }

        if (status.RefusedSources.Count == 0)
        {
            await output.WriteLineAsync("refused sources:  none");
        }
        else
        {
            await output.WriteLineAsync($"refused sources:  {status.RefusedSources.Count}");
            foreach (var source in status.RefusedSources)
            {
                await WriteRejectionAsync(output, source, $"{source.Source} (refused for {Age.Since(source.At, now)})");
            }
        }

        if (status.Unbound.Count > 0)
        {
            // Accepted configuration a gateway cannot serve yet: the port is taken (the gateway retries).
            await output.WriteLineAsync($"unbound listeners: {status.Unbound.Count}");
            foreach (var unbound in status.Unbound)
            {
                await output.WriteLineAsync($"  port {unbound.Port} on {unbound.Proxy} ({unbound.Address}): {unbound.Error}; Gateway servers {string.Join(", ", unbound.GatewayServers)} do not serve there");
            }
        }

        // The last refused change, until a later one is accepted: shown when it says more than the
        // sources do (a refused API request, whose caller saw the errors; not a file save).
        var listed = status.RefusedSources.SelectMany(r => r.Errors).Select(e => e.Formatted).ToHashSet(StringComparer.Ordinal);
        if (status.LastError is { } last && !last.Errors.All(e => listed.Contains(e.Formatted)))
        {
            await WriteRejectionAsync(output, last, $"last refused change: {last.Source} ({Age.Since(last.At, now)} ago)");
        }
    }

    private static async Task WriteRejectionAsync(TextWriter output, ApiConfigRejection rejection, string title)
    {
        await output.WriteLineAsync($"  {title}");
        foreach (var error in rejection.Errors)
        {
            await output.WriteLineAsync($"    {error.Formatted}");
        }
    }
}
