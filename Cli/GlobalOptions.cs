using System.CommandLine;

namespace Mesh.Cli;

/// <summary>
/// <c>--server</c> (default: env <c>MESH_SERVER</c>, else http://localhost:15014) and <c>--token</c>
/// (default: env <c>MESH_TOKEN</c>, else <c>.mesh-data/admin-token</c> found by walking up from the
/// current directory, where a local control plane writes it).
/// </summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://localhost:15014";

    public Option<string?> Server { get; } = new("--server", "-s")
    {
        Description = $"Control plane admin address (default: $MESH_SERVER or {DefaultServer})",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Admin API token (default: $MESH_TOKEN or .mesh-data/admin-token in this or a parent directory)",
        Recursive = true,
    };

    public Uri ServerOf(ParseResult result, CliContext context)
    {
        var text = result.GetValue(Server) ?? context.Environment("MESH_SERVER") ?? DefaultServer;
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--server '{text}' is not an http(s) address");
        }

        // API paths are resolved relative to the server address, which may carry a path prefix.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    public string? TokenOf(ParseResult result, CliContext context)
    {
        var token = result.GetValue(Token) ?? context.Environment("MESH_TOKEN");
        if (!string.IsNullOrWhiteSpace(token))
        {
            return token.Trim();
        }

        for (var directory = new DirectoryInfo(context.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var file = Path.Combine(directory.FullName, ".mesh-data", "admin-token");
            if (File.Exists(file))
            {
                return File.ReadAllText(file).Trim();
            }
        }

        return null;
    }
}
