namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>What the authorizer decided (or that it could not be asked).</summary>
internal enum ExtAuthzVerdict
{
    Allowed,
    Denied,

    /// <summary>The check failed: unreachable, timed out, 5xx, or an invalid answer (failOpen / statusOnError decide).</summary>
    Error,
}

/// <summary>
/// The answer of one check, as Envoy's ext_authz filter applies it: on allow, headers to set on (or
/// remove from) the upstream request and headers for the client's response; on deny, the reply
/// the client gets (status, headers, body).
/// </summary>
internal sealed class ExtAuthzOutcome
{
    public required ExtAuthzVerdict Verdict { get; init; }

    /// <summary>Why (logs): the authorizer's status, or the error.</summary>
    public required string Reason { get; init; }

    /// <summary>Denied: the reply's status.</summary>
    public int Status { get; init; } = 403;

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Denied: headers of the reply; allowed: headers added to the upstream's response.</summary>
    public List<KeyValuePair<string, string>> ClientHeaders { get; } = [];

    /// <summary>Allowed: headers set on the upstream request (Append: added beside existing values).</summary>
    public List<(string Name, string Value, bool Append)> UpstreamHeaders { get; } = [];

    public List<string> UpstreamHeadersToRemove { get; } = [];

    public static ExtAuthzOutcome Failed(string reason) => new() { Verdict = ExtAuthzVerdict.Error, Reason = reason };
}
