using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests;

/// <summary>Dockerfile.server and Dockerfile.worker against the build script, the code and the manifests.</summary>
public class DockerfileTests
{
    private static readonly string _script = File.ReadAllText(Path.Combine(Repository.Root, "scripts", "build-images.sh"));

    [Fact]
    public void BuildScript_BuildsOneImagePerProgram_FromItsOwnPublishedProject()
    {
        var builds = DockerfileChecks.Builds(_script);

        Assert.Equal(A3cService.All.Select(s => s.Kind).Order().ToList(), builds.Select(b => b.Service.Kind).Order().ToList());
        Assert.All(builds, build => Assert.True(File.Exists(Path.Combine(Repository.Root, build.Project)), build.Project));
        Assert.All(builds, build => Assert.DoesNotContain("<AssemblyName>", File.ReadAllText(Path.Combine(Repository.Root, build.Project)), StringComparison.Ordinal));
        Assert.All(builds, build => Assert.DoesNotContain("nothing publishes", build.PublishFolder, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryImage_MatchesItsProgram_AndTheManifests()
    {
        var manifest = Targets.Render("local");

        var problems = DockerfileChecks.Builds(_script).SelectMany(build => DockerfileChecks.Problems(build, Read(build.Dockerfile), manifest));

        Problems.AssertNone(problems, manifest);
    }

    [Theory]
    [InlineData("ENV ASPNETCORE_HTTP_PORTS=50051", "ENV ASPNETCORE_HTTP_PORTS=5000", "expected 50051")]
    [InlineData("USER 10001:10001", "USER 0:0", "runs as 10001:10001")]
    [InlineData("ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0", "ARG BASE_IMAGE=debian:13", "must default to")]
    [InlineData("RUN apt-get update", "RUN --mount=type=cache,target=/var/cache/apt apt-get update", "needs BuildKit")]
    [InlineData("ENTRYPOINT [\"/app/A3cGrpc.ParameterServer\"]", "ENTRYPOINT [\"/app/ParameterServer\"]", "ENTRYPOINT is not")]
    [InlineData("COPY artifacts/images/parameter-server/app/ /app/", "COPY artifacts/images/worker/app/ /app/", "expected the published deps/ then app/")]
    public void ServerDockerfile_Broken_IsFound(string original, string broken, string expected)
    {
        var build = DockerfileChecks.Builds(_script).Single(b => b.Service == A3cService.ParameterServer);
        var text = File.ReadAllText(Path.Combine(Repository.Root, build.Dockerfile));
        Assert.Contains(original, text, StringComparison.Ordinal);

        var problems = DockerfileChecks.Problems(build, Dockerfile.Parse(build.Dockerfile, text.Replace(original, broken, StringComparison.Ordinal)), Targets.Render("local"));

        Problems.AssertFound(problems, expected);
    }

    [Fact]
    public void ServerImage_RunDirectory_IsTheManifestsAndUnderTheVolume()
    {
        var stage = Read("Dockerfile.server").Stage(null)!;
        var runDirectory = DockerfileChecks.Environment(stage)["ParameterServer__RunDirectory"];

        var manifest = Targets.Render("local");
        var configured = manifest.ConfigMaps.Select(map => map.Data is { } data && data.TryGetValue("ParameterServer__RunDirectory", out var value) ? value : null).Single(value => value is not null);
        Assert.Equal(configured, runDirectory);
        Assert.StartsWith(stage.Arguments("VOLUME").Single().Trim('[', ']', '"') + "/", runDirectory, StringComparison.Ordinal);
    }

    private static Dockerfile Read(string name) => Dockerfile.Parse(name, File.ReadAllText(Path.Combine(Repository.Root, name)));
}
