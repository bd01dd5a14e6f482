using System.Collections.Frozen;
using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>Translates a snapshot's <c>service_addresses</c> into the capture table (docs/capture.md).</summary>
internal static class CaptureTableTranslator
{
    public static CaptureTable Translate(ProxySnapshot snapshot, TranslationErrors errors)
    {
        var targets = new Dictionary<IPEndPoint, CaptureTarget>();
        for (var i = 0; i < snapshot.ServiceAddresses.Count; i++)
        {
            var service = snapshot.ServiceAddresses[i];
            foreach (var text in service.Addresses)
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    errors.Add($"service_addresses[{i}] ({service.Name}).addresses", $"'{text}' is not an IP address");
                    continue;
                }

                foreach (var port in service.Ports)
                {
                    if (port.Number is 0 or > 65535)
                    {
                        errors.Add($"service_addresses[{i}] ({service.Name}).ports", $"{port.Number} is not a port");
                        continue;
                    }

                    var key = new IPEndPoint(address, (int)port.Number);
                    if (!targets.TryAdd(key, new CaptureTarget(service.Name, port.Protocol)))
                    {
                        errors.Add($"service_addresses[{i}] ({service.Name}).addresses", $"{key} is also '{targets[key].Host}'");
                    }
                }
            }
        }

        return targets.Count == 0 ? CaptureTable.Empty : new CaptureTable(targets.ToFrozenDictionary());
    }
}
