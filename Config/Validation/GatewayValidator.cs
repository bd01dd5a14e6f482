using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Validation;

internal static class GatewayValidator
{
    public static void Validate(GatewayConfig spec, ValidationContext context)
    {
        _ = spec;
        _ = context;
    }
}
