namespace Mesh.Proxy.Core.Configuration;

public enum MeshProxyMode
{
    Sidecar,
    Gateway,
}
