using System.Globalization;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Common;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Traffic;

/// <summary><see cref="ProxyStage.UpstreamTrailers"/>: judges streamed gRPC responses for outlier detection by the grpc-status in their trailers.</summary>
internal sealed class TrafficTrailersTransform(OutlierDetector outliers) : ResponseTrailersTransform
{
    public override ValueTask ApplyAsync(ResponseTrailersTransformContext context)
    {
        var http = context.HttpContext;
        var cluster = http.Features.Get<RoutingResult>()?.Cluster;
        if (cluster?.FeatureModels.Get<ClusterOutlierDetection>() is not { Model.Enabled: true } detection
            || context.ProxyResponse is not { } response
            || response.Headers.NonValidated.Contains("grpc-status")
            || !response.TrailingHeaders.NonValidated.TryGetValues("grpc-status", out var values)
            || TrafficResponseTransform.ProxiedDestination(http) is not { } destination)
        {
            return default;
        }

        foreach (var value in values)
        {
            var status = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var grpc) ? GrpcReply.HttpStatusFor(grpc) : 500;
            outliers.ReportResponse(cluster, detection, destination, status);
            break;
        }

        return default;
    }
}
