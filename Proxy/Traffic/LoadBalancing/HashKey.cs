namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>What a consistent-hash cluster hashes (Istio <c>consistentHash</c> key).</summary>
internal enum HashKey
{
    HttpHeader,
    HttpCookie,
    SourceIp,
    QueryParameter,
}
