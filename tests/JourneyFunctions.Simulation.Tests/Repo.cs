namespace JourneyFunctions.Simulation.Tests;

/// <summary>The repository root (the folder holding JourneyFunctions.sln): journeys/, templates/ and schema/.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "JourneyFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JourneyFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
