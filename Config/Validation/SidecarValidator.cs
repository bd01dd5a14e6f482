using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Validation;

internal static class SidecarValidator
{
    public static void Validate(SidecarConfig spec, ValidationContext context)
    {
        _ = spec;
        _ = context;
    }
}
