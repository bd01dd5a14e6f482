using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>HTTPRedirect</c>.</summary>
public sealed record HttpRedirect
{
    public string? Uri { get; init; }

    public string? Authority { get; init; }

    public uint? Port { get; init; }

    public RedirectPortSelection? DerivePort { get; init; }

    public string? Scheme { get; init; }

    [Limited("301, 302, 303, 307 or 308: the codes the proxy sends")]
    public uint? RedirectCode { get; init; }

    [Refused("the proxy's redirect replaces the whole path; rewriting only the matched prefix is not implemented")]
    public string? PrefixRewrite { get; init; }
}

/// <summary>Istio's <c>HTTPRedirect.RedirectPortSelection</c>.</summary>
public enum RedirectPortSelection
{
    FromProtocolDefault,
    FromRequestPort,
}

/// <summary>Istio's <c>HTTPDirectResponse</c>.</summary>
public sealed record HttpDirectResponse
{
    public uint? Status { get; init; }

    public HttpBody? Body { get; init; }
}

/// <summary>Istio's <c>HTTPBody</c> oneof: string or base64 bytes.</summary>
public sealed record HttpBody
{
    public string? String { get; init; }

    /// <summary>Base64 text, as protobuf JSON encodes <c>bytes</c>.</summary>
    [Limited("UTF-8 text only: the proxy's direct responses carry text")]
    public string? Bytes { get; init; }
}

/// <summary>Istio's <c>HTTPRewrite</c>.</summary>
public sealed record HttpRewrite
{
    public string? Uri { get; init; }

    public string? Authority { get; init; }

    public RegexRewrite? UriRegexRewrite { get; init; }
}

/// <summary>Istio's <c>RegexRewrite</c>.</summary>
public sealed record RegexRewrite
{
    public string? Match { get; init; }

    public string? Rewrite { get; init; }
}

/// <summary>Istio's <c>HTTPRetry</c>.</summary>
public sealed record HttpRetry
{
    public int? Attempts { get; init; }

    public TimeSpan? PerTryTimeout { get; init; }

    public string? RetryOn { get; init; }

    [Ignored("Mesh endpoints have no locality, so every retry target is local")]
    public bool? RetryRemoteLocalities { get; init; }

    [Refused("the proxy does not exclude previously tried endpoints when it retries")]
    public bool? RetryIgnorePreviousHosts { get; init; }

    [Refused("the proxy retries with its own jittered back-off; a per-route base interval is not implemented")]
    public TimeSpan? Backoff { get; init; }
}

/// <summary>Istio's <c>HTTPFaultInjection</c>.</summary>
public sealed record HttpFaultInjection
{
    public DelayFault? Delay { get; init; }

    public AbortFault? Abort { get; init; }
}

/// <summary>Istio's <c>HTTPFaultInjection.Delay</c>.</summary>
public sealed record DelayFault
{
    public TimeSpan? FixedDelay { get; init; }

    [Refused("Istio refuses it too (not supported yet)")]
    public TimeSpan? ExponentialDelay { get; init; }

    public Percent? Percentage { get; init; }

    /// <summary>Deprecated integer percentage (use <see cref="Percentage"/>).</summary>
    public int? Percent { get; init; }
}

/// <summary>Istio's <c>HTTPFaultInjection.Abort</c>.</summary>
public sealed record AbortFault
{
    public int? HttpStatus { get; init; }

    public string? GrpcStatus { get; init; }

    [Refused("Istio refuses it too (not supported yet)")]
    public string? Http2Error { get; init; }

    public Percent? Percentage { get; init; }
}
