using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Translation;

/// <summary>One snapshot virtual host while it is translated.</summary>
public sealed class VirtualHostTranslation
{
    internal VirtualHostTranslation(VirtualHost source, string path, TranslationErrors errors)
    {
        Source = source;
        Path = path;
        Errors = errors;
    }

    public VirtualHost Source { get; }

    public string Path { get; }

    public TranslationErrors Errors { get; }

    /// <summary>Envoy's require_tls: plaintext requests get a redirect to https (a Gateway server's httpsRedirect).</summary>
    public bool RequireTls { get; set; }
}
