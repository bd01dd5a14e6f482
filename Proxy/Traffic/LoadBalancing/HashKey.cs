namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>What a consistent-hash cluster hashes (Istio <c>consistentHash</c> key).</summary>
public enum HashKey
{
    HttpHeader,
    HttpCookie,
    SourceIp,
    QueryParameter,
}
