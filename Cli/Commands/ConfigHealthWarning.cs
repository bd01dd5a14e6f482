using Mesh.Cli.Client;

namespace Mesh.Cli.Commands;

/// <summary>
/// The one-line warning <c>get</c>, <c>proxy-status</c> and <c>version</c> print on stderr (stdout
/// stays parseable) when the control plane refuses a source or has accepted nothing: what they show
/// is then not what the files say.
/// </summary>
internal static class ConfigHealthWarning
{
    public static async Task WriteAsync(ControlPlaneClient client, CliContext context, CancellationToken cancellationToken)
    {
        var status = await client.StatusAsync(cancellationToken);
        if (Text(status) is { } warning)
        {
            await context.Error.WriteLineAsync(warning);
        }
    }

    public static string? Text(ApiConfigStatus status)
    {
        var refused = status.RefusedSources;
        var names = refused.Count == 0 ? "" : $" ({string.Join(", ", refused.Take(3).Select(r => r.Source))}{(refused.Count > 3 ? ", …" : "")})";
        return !status.Accepted
            ? $"warning: no configuration accepted yet, nothing is pushed to proxies; {refused.Count} source(s) refused{names}; run 'meshctl status' for the errors"
            : refused.Count > 0
                ? $"warning: {refused.Count} configuration source(s) refused{names}; generation {status.Generation} keeps serving; run 'meshctl status' for the errors"
                : null;
    }
}
