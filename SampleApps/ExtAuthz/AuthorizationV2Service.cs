using Envoy.Api.V2.Core;
using Envoy.Service.Auth.V2;
using Envoy.Type;
using Grpc.Core;
using static Samples.ExtAuthz.ExtAuthzDecision;
using GrpcCode = Grpc.Core.StatusCode;

namespace Samples.ExtAuthz;

/// <summary>
/// Envoy's frozen <c>envoy.service.auth.v2.Authorization</c>, which Istio's sample still serves
/// for old clients. Unlike v3, Istio's v2 answer never shortens the received-attributes dump.
/// </summary>
internal sealed class AuthorizationV2Service(GrpcCheck check) : Authorization.AuthorizationBase
{
    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var attributes = request.Attributes;
        var http = attributes?.Request?.Http;
        var (allowed, dump) = check.Decide("gRPCv2", attributes, http?.Headers, attributes?.Source?.Principal, http?.Host, http?.Path);
        var headers = GrpcResponseHeaders(allowed, dump)
            .Select(h => new HeaderValueOption { Header = new HeaderValue { Key = h.Key, Value = h.Value } });

        return Task.FromResult(allowed
            ? new CheckResponse { Status = new Google.Rpc.Status { Code = (int)GrpcCode.OK }, OkResponse = new OkHttpResponse { Headers = { headers } } }
            : new CheckResponse
            {
                Status = new Google.Rpc.Status { Code = (int)GrpcCode.PermissionDenied },
                DeniedResponse = new DeniedHttpResponse { Status = new HttpStatus { Code = Envoy.Type.StatusCode.Forbidden }, Body = DenyBody, Headers = { headers } },
            });
    }
}
