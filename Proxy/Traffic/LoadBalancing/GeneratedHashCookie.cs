using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>
/// The consistent-hash cookie the proxy generated for a request that had none (a cookie key with a
/// ttl): an HttpContext feature, so every attempt hashes the same value and the response sets it.
/// Exists only for such requests.
/// </summary>
internal sealed class GeneratedHashCookie
{
    private GeneratedHashCookie(string value)
    {
        Value = value;
    }

    public string Value { get; }

    public static GeneratedHashCookie? Find(HttpContext context) => context.Features.Get<GeneratedHashCookie>();

    public static GeneratedHashCookie GetOrCreate(HttpContext context)
    {
        if (Find(context) is { } cookie)
        {
            return cookie;
        }

        cookie = new GeneratedHashCookie(Random.Shared.NextInt64().ToString("x16", CultureInfo.InvariantCulture));
        context.Features.Set(cookie);
        return cookie;
    }
}
