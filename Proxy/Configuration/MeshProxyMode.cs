namespace Mesh.Proxy.Configuration;

public enum MeshProxyMode
{
    Sidecar,
    Gateway,
}
