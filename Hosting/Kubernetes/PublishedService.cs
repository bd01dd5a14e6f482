using Mesh.Hosting.ApplicationModel;
namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// A mesh service as published: the Kubernetes Service named after the <c>app</c> label, its
/// ports (each entering the pods through a sidecar inbound listener) and its member workloads.
/// </summary>
internal sealed record PublishedService(string Name, IReadOnlyList<PublishedServicePort> Ports, IReadOnlyList<MeshWorkload> Members)
{
    public PublishedServicePort? Find(string portName) =>
        Ports.FirstOrDefault(p => string.Equals(p.Port.Name, portName, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One service port: the mesh port (name, number, protocol) and the sidecar inbound listener behind it.</summary>
internal sealed record PublishedServicePort(MeshServicePort Port, int InboundListenPort)
{
    /// <summary>Istio's protocol selection by port name: "http", "grpc", or "&lt;protocol&gt;-&lt;endpoint&gt;".</summary>
    public string KubernetesName
    {
        get
        {
            var protocol = Port.Protocol.ToLowerInvariant();
            var name = KubernetesNames.Sanitize(Port.Name);
            return name == protocol || name.StartsWith(protocol + "-", StringComparison.Ordinal) ? name : $"{protocol}-{name}";
        }
    }

    /// <summary>The standard <c>appProtocol</c> of the port (gateways and other meshes read it).</summary>
    public string AppProtocol => Port.Protocol switch
    {
        "GRPC" => "grpc",
        "HTTP2" => "http2",
        "HTTPS" => "https",
        "TCP" => "tcp",
        "TLS" => "tls",
        _ => "http",
    };
}
