using System.Net.Http;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>Maps YARP's <see cref="IForwarderErrorFeature"/> to Envoy's failure categories.</summary>
internal static class ForwarderErrorClassifier
{
    // HTTP/2 REFUSED_STREAM (RFC 9113 §7).
    private const long RefusedStreamErrorCode = 0x7;

    public static ForwarderFailure Classify(IForwarderErrorFeature error) => error.Error switch
    {
        ForwarderError.NoAvailableDestinations => ForwarderFailure.NoHealthyUpstream,
        ForwarderError.Request => ClassifyException(error.Exception),
        ForwarderError.RequestTimedOut => IsConnectTimeout(error.Exception) ? ForwarderFailure.ConnectFailure : ForwarderFailure.Timeout,
        ForwarderError.RequestBodyDestination => ForwarderFailure.Reset,
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient => ForwarderFailure.Downstream,
        ForwarderError.ResponseBodyDestination => ForwarderFailure.UpstreamAfterResponseStarted,
        ForwarderError.ResponseBodyClient or ForwarderError.ResponseBodyCanceled => ForwarderFailure.Downstream,
        _ => ForwarderFailure.Other,
    };

    private static ForwarderFailure ClassifyException(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpProtocolException { ErrorCode: RefusedStreamErrorCode }:
                    return ForwarderFailure.RefusedStream;
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return ForwarderFailure.ConnectFailure;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound or SocketError.TimedOut }:
                    return ForwarderFailure.ConnectFailure;
                case TimeoutException:
                    return ForwarderFailure.ConnectFailure;
            }
        }

        return exception is null ? ForwarderFailure.Other : ForwarderFailure.Reset;
    }

    /// <summary>SocketsHttpHandler reports ConnectTimeout as a cancellation wrapping a TimeoutException.</summary>
    private static bool IsConnectTimeout(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
