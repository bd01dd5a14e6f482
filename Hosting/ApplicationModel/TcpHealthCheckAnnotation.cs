using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>Marks the app endpoint a TCP health check connects to (published as a tcpSocket probe).</summary>
internal sealed record TcpHealthCheckAnnotation(string EndpointName) : IResourceAnnotation;
