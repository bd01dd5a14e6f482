using System.Net;
using Envoy.Config.Core.V3;
using EnvoySocketAddress = Envoy.Config.Core.V3.SocketAddress;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;
using Envoy.Service.Auth.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Proxy.Core.Identity;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>
/// Envoy's ext_authz gRPC check (Istio's <c>envoyExtAuthzGrpc</c>):
/// <c>envoy.service.auth.v3.Authorization/Check</c> with the request's attributes (peers with their
/// addresses and SPIFFE principals, method, path, host, scheme, protocol, every header, the body
/// when configured). Status OK allows and applies <c>ok_response</c>; any other status denies with
/// <c>denied_response</c>; a failed call is an error.
/// </summary>
internal static class GrpcExtAuthzCheck
{
    public static async Task<ExtAuthzOutcome> CheckAsync(ExtAuthzProviderModel provider, HttpContext context, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        if (ExtAuthzSender.Pick(provider.Cluster, HttpVersion.Version20) is not { } target)
        {
            return ExtAuthzOutcome.Failed($"no available endpoint in cluster '{provider.ClusterName}'");
        }

        using var channel = GrpcChannel.ForAddress(target.Address, new GrpcChannelOptions
        {
            HttpHandler = new InvokerHandler(target.Client, target.Policy),
            DisposeHttpClient = true,
            MaxRetryAttempts = 0,
        });
        CheckResponse response;
        try
        {
            response = await new AuthorizationClient(channel).CheckAsync(Request(provider, context, body), cancellationToken: cancellationToken);
        }
        catch (RpcException ex)
        {
            return ExtAuthzOutcome.Failed($"the authorizer's call failed: {ex.StatusCode} {ex.Status.Detail}");
        }

        if (response.Status?.Code is null or 0)
        {
            var allowed = new ExtAuthzOutcome { Verdict = ExtAuthzVerdict.Allowed, Reason = "OK" };
            if (response.OkResponse is { } ok)
            {
                foreach (var option in ok.Headers)
                {
                    // In OkHttpResponse `append` defaults to false: the header overrides.
                    allowed.UpstreamHeaders.Add((option.Header.Key, Value(option.Header), Appends(option)));
                }

                allowed.UpstreamHeadersToRemove.AddRange(ok.HeadersToRemove);
                allowed.ClientHeaders.AddRange(ok.ResponseHeadersToAdd.Select(o => KeyValuePair.Create(o.Header.Key, Value(o.Header))));
            }

            return allowed;
        }

        if (response.HttpResponseCase == CheckResponse.HttpResponseOneofCase.ErrorResponse)
        {
            return ExtAuthzOutcome.Failed($"the authorizer reported an error (status {response.Status.Code})");
        }

        var denied = response.DeniedResponse;
        var status = denied?.Status is { Code: > 0 } httpStatus ? (int)httpStatus.Code : StatusCodes.Status403Forbidden;
        var outcome = new ExtAuthzOutcome
        {
            Verdict = ExtAuthzVerdict.Denied,
            Reason = $"status {response.Status.Code}",
            Status = status,
            Body = System.Text.Encoding.UTF8.GetBytes(denied?.Body ?? ""),
        };
        if (denied is not null)
        {
            outcome.ClientHeaders.AddRange(denied.Headers.Select(o => KeyValuePair.Create(o.Header.Key, Value(o.Header))));
        }

        return outcome;
    }

    private static CheckRequest Request(ExtAuthzProviderModel provider, HttpContext context, ReadOnlyMemory<byte>? body)
    {
        var request = context.Request;
        var connection = context.Connection;
        var peer = context.Features.Get<MeshPeerIdentityFeature>();
        var http = new AttributeContext.Types.HttpRequest
        {
            Id = request.Headers["x-request-id"].ToString(),
            Method = request.Method,
            Path = request.Path.Value + request.QueryString.Value,
            Host = request.Host.Value ?? "",
            Scheme = request.Scheme,
            Protocol = request.Protocol,
            Size = request.ContentLength ?? -1,
        };

        // Envoy's map: lower-case names, pseudo-headers included, repeated values joined by ','.
        http.Headers[":authority"] = http.Host;
        http.Headers[":method"] = http.Method;
        http.Headers[":path"] = http.Path;
        http.Headers[":scheme"] = http.Scheme;
        foreach (var (name, values) in request.Headers)
        {
            if (!name.StartsWith(':'))
            {
                http.Headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        if (body is { } bytes)
        {
            if (provider.Body!.PackAsBytes)
            {
                http.RawBody = ByteString.CopyFrom(bytes.Span);
            }
            else
            {
                http.Body = System.Text.Encoding.UTF8.GetString(bytes.Span);
            }
        }

        var attributes = new AttributeContext
        {
            Source = new AttributeContext.Types.Peer
            {
                Address = Address(connection.RemoteIpAddress, connection.RemotePort),
                Principal = peer?.Identity.Uri ?? "",
            },
            Destination = new AttributeContext.Types.Peer
            {
                Address = Address(connection.LocalIpAddress, connection.LocalPort),
                Principal = peer?.LocalIdentity.Uri ?? "",
            },
            Request = new AttributeContext.Types.Request
            {
                Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                Http = http,
            },
        };
        return new CheckRequest { Attributes = attributes };
    }

    private static Address Address(IPAddress? ip, int port) => new()
    {
        SocketAddress = new EnvoySocketAddress
        {
            Address = ip is null ? "" : (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString(),
            PortValue = (uint)Math.Max(0, port),
        },
    };

    private static string Value(HeaderValue header) =>
        header.Value.Length > 0 || header.RawValue.IsEmpty ? header.Value : header.RawValue.ToString(System.Text.Encoding.Latin1);

    // `append` when set (it is false by default in OkHttpResponse); else only an explicit append action appends.
    // Envoy still honours the deprecated field, and authorizers (Istio's sample among them) send it.
#pragma warning disable CS0612
    private static bool Appends(HeaderValueOption option) => option.Append ?? false;
#pragma warning restore CS0612

    /// <summary>Lets the gRPC client send through the cluster's YARP client (never disposing it).</summary>
    private sealed class InvokerHandler(HttpMessageInvoker invoker, HttpVersionPolicy policy) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.VersionPolicy = policy == HttpVersionPolicy.RequestVersionOrLower ? HttpVersionPolicy.RequestVersionExact : policy;
            return invoker.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            // The invoker belongs to the cluster.
        }
    }
}
