namespace Mesh.Proxy.Core.Discovery;

/// <summary>The answer to a pushed snapshot: ACK, or NACK with the reason.</summary>
internal sealed record ApplyResult(string Version, string? Error)
{
    public bool Accepted => Error is null;

    public static ApplyResult Ack(string version) => new(version, null);

    public static ApplyResult Nack(string version, string error) => new(version, error);
}
