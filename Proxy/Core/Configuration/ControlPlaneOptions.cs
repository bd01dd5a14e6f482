namespace Mesh.Proxy.Core.Configuration;

public sealed class ControlPlaneOptions
{
    /// <summary>gRPC address of the control plane's discovery service (h2c or https).</summary>
    public string Address { get; set; } = "http://127.0.0.1:15012";

    /// <summary>Bootstrap credential, sent as "authorization: Bearer &lt;token&gt;" when not empty.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// A file holding the credential (a projected Kubernetes service account token); read at every
    /// connect because such tokens rotate. <see cref="Token"/> wins when both are set.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// With an https <see cref="Address"/>: the mesh's root certificates (PEM) the control plane's
    /// certificate must chain to (a VM's <c>root-cert.pem</c>). Unset: the system's roots.
    /// </summary>
    public string? RootCertFile { get; set; }

    /// <summary>
    /// With an https <see cref="Address"/>: the name sent as SNI and required in the control plane's
    /// certificate, whatever address is dialled (an east-west gateway's): Istio's istiod SAN.
    /// </summary>
    public string ServerName { get; set; } = "istiod.istio-system.svc";
}
