namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>HTTPRedirect</c>.</summary>
public sealed record HttpRedirect
{
    public string? Uri { get; init; }

    public string? Authority { get; init; }

    public uint? Port { get; init; }

    public RedirectPortSelection? DerivePort { get; init; }

    public string? Scheme { get; init; }

    public uint? RedirectCode { get; init; }
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

    public bool? RetryRemoteLocalities { get; init; }

    public bool? RetryIgnorePreviousHosts { get; init; }

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

    public string? Http2Error { get; init; }

    public Percent? Percentage { get; init; }
}
