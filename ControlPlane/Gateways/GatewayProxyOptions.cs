namespace Mesh.ControlPlane.Gateways;

/// <summary>
/// How the control plane runs Gateway API Gateways' proxies locally (section
/// <c>ControlPlane:Gateways</c>). Without <see cref="Program"/> it runs none (Kubernetes mode, tests):
/// the Gateways stay <c>Programmed: False</c> until a proxy for them connects.
/// </summary>
internal sealed class GatewayProxyOptions
{
    public const string SectionName = "ControlPlane:Gateways";

    /// <summary>The gateway program: <c>Mesh.Gateway.dll</c> (run with <c>dotnet</c>) or its executable. The AppHost sets it.</summary>
    public string? Program { get; set; }

    /// <summary>
    /// Listener ports below 1024 (privileged, and Istio's usual 80 and 443) are served locally on
    /// the port plus this offset: 80 on 10080, 443 on 10443. Other ports keep their number.
    /// </summary>
    public int PrivilegedPortOffset { get; set; } = 10000;

    /// <summary>The first wait before a gateway that exited is started again (doubling up to 30 s).</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The local port that serves a Gateway listener port.</summary>
    public int LocalPort(int listenerPort) => listenerPort < 1024 ? listenerPort + PrivilegedPortOffset : listenerPort;
}

/// <summary>Where proxies reach the control plane's discovery service (the composition root knows the bound port).</summary>
internal interface IControlPlaneEndpoint
{
    /// <summary>The plaintext (h2c) listener: the local gateway processes use it.</summary>
    Uri Discovery { get; }

    /// <summary>The TLS listener (<c>ControlPlane:DiscoveryTls:Port</c>), or null: what other networks (VMs) are given.</summary>
    Uri? SecureDiscovery { get; }
}
