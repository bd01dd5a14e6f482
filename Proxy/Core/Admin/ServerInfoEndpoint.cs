using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Admin;

/// <summary>
/// <c>/server_info</c> (Envoy's admin path of that name): which build of the proxy runs — Native
/// AOT or JIT — on which runtime, and the garbage collector's settings as the GC itself read them
/// (<see cref="GC.GetConfigurationVariables"/>), so a GC setting given by environment
/// (<c>DOTNET_GCgen0size</c>, <c>DOTNET_GCConserveMemory</c>, <c>DOTNET_GCDynamicAdaptationMode</c>,
/// docs/benchmarks.md) can be checked on the running process rather than assumed.
/// </summary>
internal sealed class ServerInfoEndpoint : IAdminEndpoint
{
    public const string AdminPath = "/server_info";

    public string Path => AdminPath;

    /// <summary>"Native AOT" when no code is generated at run time, else "JIT".</summary>
    public static string Build => RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT";

    public Task WriteAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("build", Build);
            json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            json.WriteNumber("processors", Environment.ProcessorCount);
            json.WriteStartObject("gc");
            json.WriteBoolean("server", GCSettings.IsServerGC);
            json.WriteString("latency_mode", GCSettings.LatencyMode.ToString());
            json.WriteStartObject("configuration");
            foreach (var (name, value) in GC.GetConfigurationVariables().OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                WriteValue(json, name, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    private static void WriteValue(Utf8JsonWriter json, string name, object value)
    {
        switch (value)
        {
            case bool flag:
                json.WriteBoolean(name, flag);
                break;
            case long or int or ulong or uint:
                json.WriteNumber(name, Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
