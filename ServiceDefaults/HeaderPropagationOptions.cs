namespace Mesh.ServiceDefaults;

/// <summary>
/// Which headers of the incoming request an app copies onto its outgoing calls (HttpClient
/// and gRPC). A mesh cannot correlate an app's inbound and outbound requests by itself, so
/// the app must forward them, as Istio's documentation asks of every application.
/// W3C/B3 trace context is not listed: OpenTelemetry propagation writes it from the current span.
/// </summary>
internal sealed class HeaderPropagationOptions
{
    /// <summary>Istio correlates access logs and sampling decisions by this header.</summary>
    public const string RequestIdHeader = "x-request-id";

    /// <summary>Header names, case-insensitive. Defaults to <see cref="RequestIdHeader"/>.</summary>
    public IList<string> Headers { get; } = [RequestIdHeader];
}
