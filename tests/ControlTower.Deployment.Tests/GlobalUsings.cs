global using ControlTower.Testing;
