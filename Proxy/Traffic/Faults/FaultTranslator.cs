using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Traffic.Common;

namespace Mesh.Proxy.Traffic.Faults;

/// <summary>Validates and compiles a snapshot route's <c>fault</c>.</summary>
internal static class FaultTranslator
{
    public static FaultModel? Translate(Fault? fault, string path, TranslationErrors errors)
    {
        if (fault is null || (fault.Delay is null && fault.Abort is null))
        {
            return null;
        }

        var before = errors.Count;
        var delay = TimeSpan.Zero;
        double delayPercentage = 0;
        if (fault.Delay is { } delayFault)
        {
            if (delayFault.FixedDelay is null || delayFault.FixedDelay.Seconds < 0 || delayFault.FixedDelay.Nanos < 0)
            {
                errors.Add($"{path}.delay.fixed_delay", "a non-negative fixed delay is required");
            }
            else
            {
                delay = delayFault.FixedDelay.ToTimeSpan();
            }

            delayPercentage = Percentages.Validate(delayFault.Percentage, $"{path}.delay.percentage", errors);
        }

        int httpStatus = 0, grpcStatus = -1;
        double abortPercentage = 0;
        if (fault.Abort is { } abort)
        {
            switch (abort.ErrorCase)
            {
                case AbortFault.ErrorOneofCase.HttpStatus when abort.HttpStatus is >= 200 and <= 599:
                    httpStatus = (int)abort.HttpStatus;
                    break;
                case AbortFault.ErrorOneofCase.HttpStatus:
                    errors.Add($"{path}.abort.http_status", $"must be 200-599 (got {abort.HttpStatus})");
                    break;
                case AbortFault.ErrorOneofCase.GrpcStatus when GrpcReply.TryParseStatus(abort.GrpcStatus, out var code) && code != 0:
                    grpcStatus = code;
                    break;
                case AbortFault.ErrorOneofCase.GrpcStatus:
                    errors.Add($"{path}.abort.grpc_status", $"'{abort.GrpcStatus}' is not a gRPC error status");
                    break;
                default:
                    errors.Add($"{path}.abort", "an abort needs http_status or grpc_status");
                    break;
            }

            abortPercentage = Percentages.Validate(abort.Percentage, $"{path}.abort.percentage", errors);
        }

        return errors.Count != before ? null : new FaultModel
        {
            Delay = delay,
            DelayPercentage = delayPercentage,
            AbortHttpStatus = httpStatus,
            AbortGrpcStatus = grpcStatus,
            AbortPercentage = abortPercentage,
        };
    }
}
