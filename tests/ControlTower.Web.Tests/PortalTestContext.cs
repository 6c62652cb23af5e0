using System.Security.Claims;
using Bunit;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ControlTower.Web.Tests;

/// <summary>A bUnit context with the portal's own services and a signed-in person holding the given scopes.</summary>
public abstract class PortalTestContext : BunitContext
{
    protected PortalTestContext()
    {
        Services.AddFluentUIComponents();
        Services.AddSingleton<DisplayPreferences>();
        Services.AddSingleton<IHttpContextAccessor>(new HttpContextAccessor());
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthentication(this));
        Services.AddScoped<PortalUser>();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>The scopes of the person the components see; set before rendering.</summary>
    protected string[] Scopes { get; set; } = [];

    private ClaimsPrincipal Principal() =>
        PortalClaims.Principal("tester", ["Viewer"], Scopes, CredentialKinds.Session, ".ControlTower.Session=x", devSignIn: true);

    private sealed class FixedAuthentication(PortalTestContext context) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(context.Principal()));
    }
}
