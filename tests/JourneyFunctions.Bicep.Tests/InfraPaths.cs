using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Bicep.Tests;

/// <summary>Where infra/ is, from the shared <see cref="RepoPaths"/> (linked from the Infrastructure tests).</summary>
internal static class InfraPaths
{
    public static string Root => RepoPaths.RepoRoot;

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");
}
