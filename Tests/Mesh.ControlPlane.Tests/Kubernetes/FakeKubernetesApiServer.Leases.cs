using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// The fake API server's <c>coordination.k8s.io/v1</c> Leases: get, create (409 when it exists) and
/// replace with optimistic concurrency (409 when the resource version is not the current one), as
/// leader election needs them.
/// </summary>
public sealed partial class FakeKubernetesApiServer
{
    private const string LeasesPath = "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases";
    private readonly Dictionary<string, JsonObject> _leases = new(StringComparer.Ordinal);

    /// <summary>Who holds a Lease now (null: nobody or no such Lease).</summary>
    public string? LeaseHolder(string ns, string name)
    {
        lock (_gate)
        {
            return _leases.TryGetValue($"{ns}/{name}", out var lease) ? lease["spec"]?["holderIdentity"]?.GetValue<string>() : null;
        }
    }

    /// <summary>The Lease as stored now (null: none).</summary>
    public JsonObject? Lease(string ns, string name)
    {
        lock (_gate)
        {
            return _leases.TryGetValue($"{ns}/{name}", out var lease) ? (JsonObject)lease.DeepClone() : null;
        }
    }

    /// <summary>A Lease as a replica that has since died left it: held, last renewed at <paramref name="renewed"/>.</summary>
    public void PutLease(string ns, string name, string holder, DateTime renewed, int durationSeconds)
    {
        var time = renewed.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            StoreLease(ns, name, new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject
                {
                    ["holderIdentity"] = holder, ["leaseDurationSeconds"] = durationSeconds,
                    ["acquireTime"] = time, ["renewTime"] = time, ["leaseTransitions"] = 0,
                },
            });
        }
    }

    private void MapLeases(WebApplication app)
    {
        app.MapGet(LeasesPath + "/{name}", (string ns, string name) =>
        {
            lock (_gate)
            {
                return _leases.TryGetValue($"{ns}/{name}", out var lease) ? Json(lease) : NotFound("leases", name);
            }
        });
        app.MapPost(LeasesPath, async (HttpContext context, string ns) =>
        {
            var lease = await ReadObjectAsync(context);
            var name = lease["metadata"]!["name"]!.GetValue<string>();
            lock (_gate)
            {
                if (_leases.ContainsKey($"{ns}/{name}"))
                {
                    return Failure(StatusCodes.Status409Conflict, "AlreadyExists", $"leases.coordination.k8s.io \"{name}\" already exists");
                }

                return Json(StoreLease(ns, name, lease), StatusCodes.Status201Created);
            }
        });
        app.MapPut(LeasesPath + "/{name}", async (HttpContext context, string ns, string name) =>
        {
            var lease = await ReadObjectAsync(context);
            lock (_gate)
            {
                if (!_leases.TryGetValue($"{ns}/{name}", out var current))
                {
                    return NotFound("leases", name);
                }

                if (lease["metadata"]?["resourceVersion"]?.GetValue<string>() != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                {
                    return Failure(StatusCodes.Status409Conflict, "Conflict", $"Operation cannot be fulfilled on leases.coordination.k8s.io \"{name}\": the object has been modified");
                }

                return Json(StoreLease(ns, name, lease));
            }
        });
    }

    private JsonObject StoreLease(string ns, string name, JsonObject lease)
    {
        var metadata = (JsonObject)lease["metadata"]!;
        metadata["namespace"] = ns;
        metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        _leases[$"{ns}/{name}"] = lease;
        return lease;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();

    private static IResult Json(JsonObject value, int status = StatusCodes.Status200OK) =>
        Results.Text(value.ToJsonString(), "application/json", statusCode: status);

    private static IResult NotFound(string resource, string name) =>
        Failure(StatusCodes.Status404NotFound, "NotFound", $"{resource} \"{name}\" not found");

    private static IResult Failure(int code, string reason, string message) => Json(new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = reason, ["code"] = code, ["message"] = message,
    }, code);
}
