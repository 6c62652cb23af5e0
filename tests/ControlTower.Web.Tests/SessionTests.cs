using ControlTower.Web.Session;

namespace ControlTower.Web.Tests;

public sealed class SessionTests
{
    [Theory]
    [InlineData("/signals?severity=high", "/signals?severity=high")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("signals", "/")]
    public void SignInReturnsOnlyToPagesOfThePortal(string? asked, string expected) =>
        Assert.Equal(expected, PortalAuthentication.LocalOrRoot(asked));

    [Fact]
    public void TheSessionCarriesWhatTheGatewayGrantedAndTheCredential()
    {
        var principal = PortalClaims.Principal("olga", ["Operator"], ["signals:read", "signals:triage"], CredentialKinds.Bearer, "eyJ.x.y", devSignIn: false);

        var caller = Caller.Of(principal);

        Assert.True(caller.IsAuthenticated);
        Assert.Equal("olga", caller.Name);
        Assert.Equal(["Operator"], caller.Roles);
        Assert.True(caller.Has("signals:triage"));
        Assert.False(caller.Has("signals:suppress"));
        Assert.False(caller.DevSignIn);
        Assert.Equal("eyJ.x.y", principal.FindFirst(PortalClaims.Credential)?.Value);
    }

    [Fact]
    public void NobodySignedInMayDoNothing()
    {
        var caller = Caller.Of(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity()));

        Assert.False(caller.IsAuthenticated);
        Assert.False(caller.Has("activity:read"));
    }
}
