using System.Net;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Yarp;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Forwards traffic for hosts the mesh does not know (outbound traffic policy ALLOW_ANY, Envoy's
/// PassthroughCluster) or clusters with PASSTHROUGH load balancing, to the authority the caller
/// asked for, through YARP's direct forwarder.
/// </summary>
internal sealed class PassthroughForwarder
{
    private static readonly ForwarderRequestConfig Http1 = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
    };

    private static readonly ForwarderRequestConfig Http2 = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
    };

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;

    public PassthroughForwarder(IHttpForwarder forwarder, MeshForwarderHttpClientFactory clientFactory)
    {
        _forwarder = forwarder;
        _client = clientFactory.CreatePassthroughClient();
    }

    public async Task ForwardAsync(HttpContext context, RoutingResult request, string authority)
    {
        request.PassthroughAuthority = authority;
        request.Attempts = 1;
        var callerAborted = context.RequestAborted;

        // gRPC and other HTTP/2 callers keep HTTP/2 (h2c) upstream; everything else goes as HTTP/1.1.
        var config = HttpProtocol.IsHttp2(context.Request.Protocol) ? Http2 : Http1;
        var error = await _forwarder.SendAsync(context, "http://" + authority, _client, config, HttpTransformer.Default);
        if (error != ForwarderError.None && context.Features.Get<IForwarderErrorFeature>() is { } feature)
        {
            await RouterStage.ReportFailureAsync(context, request, ForwarderErrorClassifier.Classify(feature), callerAborted);
        }
    }
}
