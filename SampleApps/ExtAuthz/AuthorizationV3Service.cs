using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.Auth.V3;
using Envoy.Type.V3;
using Grpc.Core;
using static Samples.ExtAuthz.ExtAuthzDecision;
using GrpcCode = Grpc.Core.StatusCode;

namespace Samples.ExtAuthz;

/// <summary>Envoy's <c>envoy.service.auth.v3.Authorization</c>, the API Istio's <c>envoyExtAuthzGrpc</c> providers call.</summary>
internal sealed class AuthorizationV3Service(GrpcCheck check) : Authorization.AuthorizationBase
{
    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var attributes = request.Attributes;
        var http = attributes?.Request?.Http;
        var (allowed, dump) = check.Decide("gRPCv3", attributes, http?.Headers, attributes?.Source?.Principal, http?.Host, http?.Path);
        var headers = GrpcResponseHeaders(allowed, IfNotTooLong(dump, Encoding.UTF8.GetByteCount(dump)))
            .Select(h => new HeaderValueOption { Header = new HeaderValue { Key = h.Key, Value = h.Value } });

        var response = new CheckResponse { Status = new Google.Rpc.Status { Code = (int)(allowed ? GrpcCode.OK : GrpcCode.PermissionDenied) } };
        if (allowed)
        {
            response.OkResponse = new OkHttpResponse { Headers = { headers } };
        }
        else
        {
            response.DeniedResponse = new DeniedHttpResponse
            {
                Status = new HttpStatus { Code = Envoy.Type.V3.StatusCode.Forbidden },
                Body = DenyBody,
                Headers = { headers },
            };
        }

        return Task.FromResult(response);
    }
}
