namespace Mesh.Proxy.Core.Listeners;

public enum ListenerKind
{
    /// <summary>Sidecar: mesh traffic for the local app (one per service port).</summary>
    Inbound,

    /// <summary>Sidecar: the app's local binding for one upstream service.</summary>
    Outbound,

    /// <summary>Sidecar: catch-all HTTP_PROXY listener, routes by Host.</summary>
    HttpProxy,

    /// <summary>Gateway: ingress listener, routes by Host among the virtual hosts of its ports.</summary>
    Gateway,

    /// <summary>Readiness, health and diagnostics.</summary>
    Admin,

    /// <summary>Sidecar with capture: connections the capture rules redirected from the app, routed by their original destination (docs/capture.md).</summary>
    OutboundCapture,

    /// <summary>Sidecar with capture: connections the capture rules redirected to the workload, handed to the inbound listener of their port.</summary>
    InboundCapture,
}
