using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Traffic.Headers;

/// <summary>
/// Compiled Istio <c>headers.request</c>/<c>headers.response</c> operations, applied as Envoy applies
/// them: removals first, then <c>set</c> (overwrite) and <c>add</c> (append to what is there).
/// </summary>
internal sealed class HeaderOperationsModel
{
    public HeaderOperationsModel(IReadOnlyList<KeyValuePair<string, string>> set, IReadOnlyList<KeyValuePair<string, string>> add, IReadOnlyList<string> remove)
    {
        Set = [.. set];
        Add = [.. add];
        Remove = [.. remove];
    }

    public KeyValuePair<string, string>[] Set { get; }

    public KeyValuePair<string, string>[] Add { get; }

    public string[] Remove { get; }

    /// <summary>Applies the operations to the request YARP is about to send upstream.</summary>
    public void ApplyTo(RequestTransformContext context)
    {
        foreach (var name in Remove)
        {
            RequestTransform.RemoveHeader(context, name);
        }

        foreach (var (name, value) in Set)
        {
            if (IsHost(name))
            {
                context.ProxyRequest.Headers.Host = value;
                continue;
            }

            RequestTransform.RemoveHeader(context, name);
            RequestTransform.AddHeader(context, name, value);
        }

        foreach (var (name, value) in Add)
        {
            var existing = RequestTransform.TakeHeader(context, name);
            RequestTransform.AddHeader(context, name, StringValues.Concat(existing, value));
        }
    }

    /// <summary>Applies the operations to a response about to be sent to the caller.</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        foreach (var name in Remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in Set)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in Add)
        {
            headers.Append(name, value);
        }
    }

    /// <summary>Applies the operations to a request the proxy builds itself (mirrored copies).</summary>
    public void ApplyTo(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        foreach (var name in Remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in Set)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, value) in Add)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    private static bool IsHost(string name) => name.Equals("host", StringComparison.OrdinalIgnoreCase);
}
