using System.Net;
using System.Text.Json;
using Mesh.EndToEnd.Tests.Infrastructure;

namespace Mesh.EndToEnd.Tests.Security;

/// <summary>
/// A sidecar's inbound listener as a caller without a mesh identity sees it. Security tests use it
/// to wait for the state they need: a deleted STRICT PeerAuthentication or AuthorizationPolicy is
/// gone only once the sidecar got the new snapshot, which "every proxy SYNCED" does not prove
/// (a proxy is SYNCED on its previous snapshot until the push arrives).
/// </summary>
public static class SidecarInbound
{
    public static HttpClient PlaintextClient() =>
        new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The inbound listener (what other sidecars connect to), from the sidecar's admin /listeners.</summary>
    public static async Task<Uri> UrlAsync(MeshAppFixture mesh, string sidecar)
    {
        using var admin = mesh.CreateHttpClient(sidecar, "admin");
        using var listeners = JsonDocument.Parse(await admin.GetStringAsync("/listeners"));
        var inbound = listeners.RootElement.EnumerateArray().First(l => l.GetProperty("kind").GetString() == "Inbound");
        return new Uri($"http://127.0.0.1:{inbound.GetProperty("port").GetInt32()}");
    }

    /// <summary>Waits until a plaintext GET of <paramref name="path"/> is answered 200 (PERMISSIVE, no denying policy).</summary>
    public static async Task WaitUntilPlaintextServedAsync(MeshAppFixture mesh, string sidecar, string path, TimeSpan timeout)
    {
        var url = new Uri(await UrlAsync(mesh, sidecar), path);
        using var plaintext = PlaintextClient();
        var last = "";
        await Poll.UntilAsync(
            $"{sidecar} to serve plaintext {path}",
            async ct =>
            {
                try
                {
                    using var response = await plaintext.GetAsync(url, ct);
                    last = $"HTTP {(int)response.StatusCode}";
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                    return false;
                }
            },
            () => last,
            budget: timeout);
    }
}
