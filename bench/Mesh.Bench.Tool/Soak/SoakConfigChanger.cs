using System.Net.Http.Headers;
using System.Text;

namespace Mesh.Bench.Tool.Soak;

/// <summary>
/// The soak's periodic config changes through the control plane's admin API (what meshctl apply
/// does): the reviews VirtualService alternates between Istio's "all to v1" and a 50/50 v2/v3
/// split, with the subsets of Bookinfo's destination-rule-all.yaml. Deleted at the end, leaving
/// the developer's configuration as it was.
/// </summary>
public sealed class SoakConfigChanger : IDisposable
{
    private const string Name = "soak-reviews";

    private readonly HttpClient _admin;

    public SoakConfigChanger(Uri admin, string token)
    {
        _admin = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(30) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public int Applied { get; private set; }

    public int Refused { get; private set; }

    public string? FirstRefusal { get; private set; }

    /// <summary>Applies a change every <paramref name="every"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan every, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await ApplyAsync(Applied + Refused);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task RemoveAsync()
    {
        using var response = await _admin.DeleteAsync($"/api/v1/config/virtualservice/default/{Name}");
    }

    public void Dispose() => _admin.Dispose();

    private async Task ApplyAsync(int change)
    {
        var route = change % 2 == 0
            ? "    - destination: {host: reviews, subset: v1}\n"
            : "    - destination: {host: reviews, subset: v2}\n      weight: 50\n    - destination: {host: reviews, subset: v3}\n      weight: 50\n";
        var yaml = $"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: {Name}
            spec:
              hosts: [reviews]
              http:
              - route:

            """ + route;
        try
        {
            using var response = await _admin.PostAsync("/api/v1/config", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
            if (response.IsSuccessStatusCode)
            {
                Applied++;
                return;
            }

            Refused++;
            FirstRefusal ??= $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Refused++;
            FirstRefusal ??= ex.Message;
        }
    }
}
