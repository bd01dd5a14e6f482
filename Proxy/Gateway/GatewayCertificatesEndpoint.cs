using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Proxy.Core.Admin;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// The admin <c>/certs</c> view (Envoy has one too): every Gateway server of the applied snapshot
/// with its TLS mode, the certificate it presents (subject, SANs, validity, serial — never the
/// key), its client CAs, and why it refuses handshakes when its credential is missing.
/// </summary>
internal sealed class GatewayCertificatesEndpoint(RoutingState routing, ListenerSet listeners) : IAdminEndpoint
{
    public string Path => "/certs";

    public Task WriteAsync(HttpContext context)
    {
        var model = routing.Current;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("applied_version", model?.Version);
            json.WriteStartArray("gateway_servers");
            foreach (var server in model?.FeatureModels.Get<GatewayModel>()?.Servers ?? [])
            {
                WriteServer(json, server, listeners);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    private static void WriteServer(Utf8JsonWriter json, GatewayServerModel server, ListenerSet listeners)
    {
        json.WriteStartObject();
        json.WriteString("name", server.Name);
        json.WriteNumber("port", server.Port);
        json.WriteString("protocol", server.Protocol.ToString().ToUpperInvariant());
        json.WriteStartArray("hosts");
        foreach (var host in server.Hosts)
        {
            json.WriteStringValue(host);
        }

        json.WriteEndArray();
        json.WriteStartArray("listeners");
        foreach (var listener in listeners.OfKind(ListenerKind.Gateway).Where(l => l.GatewayPorts.Contains(server.Port)))
        {
            json.WriteStringValue(listener.ToString());
        }

        json.WriteEndArray();
        json.WriteBoolean("https_redirect", server.HttpsRedirect);
        if (server.Tls is { } tls)
        {
            json.WriteStartObject("tls");
            json.WriteString("mode", tls.Mode switch
            {
                GatewayTlsMode.Simple => "SIMPLE",
                GatewayTlsMode.Mutual => "MUTUAL",
                _ => "ISTIO_MUTUAL",
            });
            json.WriteString("credential_name", tls.CredentialName);
            json.WriteString("protocols", tls.Protocols.ToString());
            json.WriteString("unavailable", tls.Unavailable);
            if (tls.Certificate is { } certificate)
            {
                json.WritePropertyName("certificate");
                WriteCertificate(json, certificate);
            }
            else if (tls.Mode == GatewayTlsMode.IstioMutual)
            {
                json.WriteString("certificate", "the gateway's workload certificate");
            }

            if (tls.ClientRoots is { } roots)
            {
                json.WriteStartArray("client_ca_certificates");
                foreach (var root in roots)
                {
                    WriteCertificate(json, root);
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("subject_alt_names");
            foreach (var name in tls.SubjectAltNames)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteCertificate(Utf8JsonWriter json, X509Certificate2 certificate)
    {
        json.WriteStartObject();
        json.WriteString("subject", certificate.Subject);
        json.WriteString("issuer", certificate.Issuer);
        json.WriteString("serial_number", certificate.SerialNumber);
        json.WriteString("sha256", certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        json.WriteString("not_before", certificate.NotBefore.ToUniversalTime().ToString("O"));
        json.WriteString("not_after", certificate.NotAfter.ToUniversalTime().ToString("O"));
        json.WriteStartArray("subject_alt_names");
        foreach (var name in CertificateNames.Of(certificate))
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
