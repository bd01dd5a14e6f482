using System.Diagnostics;

namespace Mesh.Proxy.Telemetry.Tracing;

/// <summary>
/// Writes the trace context of upstream requests. HttpClient creates a bare
/// <c>System.Net.Http.HttpRequestOut</c> activity under the proxy's span even when nothing records
/// it, and would name that invisible activity as the next hop's parent, breaking the trace; this
/// propagator names the proxy's span instead (an HttpClient activity that is recorded, from
/// OpenTelemetry's HttpClient instrumentation, is kept). Like YARP's propagator, it first removes
/// the trace headers copied from the incoming request so they are not sent twice.
/// </summary>
internal sealed class MeshTracePropagator : DistributedContextPropagator
{
    private const string HttpClientActivity = "System.Net.Http.HttpRequestOut";

    private readonly DistributedContextPropagator _inner = CreateW3CPropagator();

    public static MeshTracePropagator Instance { get; } = new();

    public override IReadOnlyCollection<string> Fields => _inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (carrier is HttpRequestMessage message)
        {
            foreach (var field in _inner.Fields)
            {
                message.Headers.Remove(field);
            }
        }

        if (activity is { OperationName: HttpClientActivity } && activity.Source.Name.Length == 0)
        {
            activity = activity.Parent;
        }

        _inner.Inject(activity, carrier, setter);
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        _inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        _inner.ExtractBaggage(carrier, getter);
}
