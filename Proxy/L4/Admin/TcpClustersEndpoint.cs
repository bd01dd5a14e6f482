using System.Text.Json;
using Mesh.Proxy.Core.Admin;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.Upstream;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.L4.Admin;

/// <summary>
/// The admin <c>/tcp_clusters</c> view (Envoy's cluster stats for TCP): per L4 cluster the
/// connections open now, made in total, refused by maxConnections (<c>overflows</c>) and failed to
/// connect, and per endpoint its open connections and whether outlier detection ejected it.
/// </summary>
internal sealed class TcpClustersEndpoint(L4ClusterStates states, TimeProvider time) : IAdminEndpoint
{
    public string Path => "/tcp_clusters";

    public Task WriteAsync(HttpContext context)
    {
        var now = time.GetTimestamp();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var cluster in states.All)
            {
                json.WriteStartObject();
                json.WriteString("name", cluster.Name);
                json.WriteNumber("active", cluster.Active);
                json.WriteNumber("total", cluster.Total);
                json.WriteNumber("overflows", cluster.Overflows);
                json.WriteNumber("connect_failures", cluster.ConnectFailures);
                json.WriteStartArray("endpoints");
                foreach (var (address, endpoint) in cluster.Endpoints.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    json.WriteStartObject();
                    json.WriteString("address", address);
                    json.WriteNumber("active", endpoint.Active);
                    json.WriteBoolean("ejected", endpoint.EjectedUntil != 0 && now < endpoint.EjectedUntil);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }
}
