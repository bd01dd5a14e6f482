using System.Text.Json;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>What a captured sidecar's admin port says (shared with the container tests, which link this file).</summary>
internal static class SidecarAdmin
{
    /// <summary>
    /// The service addresses (VIPs) of the sidecar's applied snapshot, by service name, from
    /// <c>/config_dump</c> — what its DNS proxy answers and its capture routes by; false while it has none.
    /// </summary>
    public static async Task<bool> ServiceAddressesAsync(HttpClient client, Uri admin, Dictionary<string, string> addresses)
    {
        try
        {
            using var dump = JsonDocument.Parse(await client.GetStringAsync(new Uri(admin, "config_dump")));
            foreach (var service in Find(dump.RootElement, "service_addresses")?.EnumerateArray() ?? default)
            {
                addresses[service.GetProperty("name").GetString()!] = service.GetProperty("addresses")[0].GetString()!;
            }

            return addresses.Count > 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static JsonElement? Find(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == name)
                {
                    return property.Value;
                }

                if (Find(property.Value, name) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
