/*
 * a3c_bullet: a C API over Bullet's Featherstone classes for the cart-pole of
 * pybullet's InvertedPendulumSwingupBulletEnv-v0 (docs/env-spec.md, section 4).
 *
 * Conventions
 * - Every function returns an a3c_status. On failure the message for the calling
 *   thread is available from a3c_last_error() until the next failing call on that thread.
 * - No C++ exception ever crosses this boundary.
 * - One a3c_world holds `count` independent cart-pole systems, each in its own
 *   btMultiBodyDynamicsWorld, so that stepping K of them costs one call.
 * - The shim holds no environment constants: masses, inertias, limits and solver
 *   settings arrive in a3c_cartpole_params (the managed SwingUpConstants class).
 * - A state is four doubles: slider position x, slider velocity vx, hinge angle theta
 *   (not wrapped), hinge rate theta_dot.
 * - A world is not thread-safe; distinct worlds may be used from distinct threads.
 */
#ifndef A3C_BULLET_H
#define A3C_BULLET_H

#include <stdint.h>

#if defined(_WIN32)
#define A3C_API __declspec(dllexport)
#else
#define A3C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature or a struct layout below changes. */
#define A3C_ABI_VERSION 1

/* Number of doubles in one state: x, vx, theta, theta_dot. */
#define A3C_STATE_SIZE 4

typedef enum a3c_status {
    A3C_OK = 0,
    A3C_INVALID_ARGUMENT = 1,
    A3C_OUT_OF_MEMORY = 2,
    A3C_NATIVE_ERROR = 3,
    A3C_UNKNOWN_ERROR = 4
} a3c_status;

typedef struct a3c_world a3c_world;

/* Model and solver settings of one cart-pole (docs/env-spec.md section 4, items 2-9). */
typedef struct a3c_cartpole_params {
    int32_t struct_size;               /* sizeof(a3c_cartpole_params), checked */
    int32_t solver_iterations;         /* m_numIterations */
    int32_t minimum_solver_batch_size; /* m_minimumSolverBatchSize */
    int32_t reserved;                  /* must be 0 */
    double time_step;                  /* fixed step of stepSimulation, seconds */
    double gravity;                    /* magnitude g; the world gets (0, 0, -g) */
    double cart_mass;
    double cart_inertia_x;
    double cart_inertia_y;
    double cart_inertia_z;
    double pole_mass;
    double pole_inertia_x;
    double pole_inertia_y;
    double pole_inertia_z;
    double pole_com_x;                 /* hinge pivot to pole centre of mass, pole frame */
    double pole_com_y;
    double pole_com_z;
    double slider_lower;               /* btMultiBodyJointLimitConstraint bounds */
    double slider_upper;
    double erp2;                       /* solver settings pybullet changes */
    double friction_erp;
    double linear_slop;
    double warmstarting_factor;
    double least_squares_residual_threshold;
} a3c_cartpole_params;

/* What Bullet actually holds for one system, read back from its objects. */
typedef struct a3c_world_info {
    int32_t struct_size;               /* sizeof(a3c_world_info), checked */
    int32_t link_count;
    int32_t fixed_base;
    int32_t can_sleep;
    int32_t use_gyro_term;
    int32_t use_global_velocities;
    int32_t solver_iterations;
    int32_t split_impulse;
    int32_t minimum_solver_batch_size;
    int32_t multibody_constraint_count;
    int32_t collision_object_count;
    int32_t collider_filter_group;     /* bitwise OR over every collider */
    int32_t collider_filter_mask;      /* bitwise OR over every collider */
    int32_t reserved;
    double gravity_x;
    double gravity_y;
    double gravity_z;
    double cart_mass;
    double cart_inertia_x;
    double cart_inertia_y;
    double cart_inertia_z;
    double pole_mass;
    double pole_inertia_x;
    double pole_inertia_y;
    double pole_inertia_z;
    double pole_com_x;
    double pole_com_y;
    double pole_com_z;
    double slider_axis_x;
    double slider_axis_y;
    double slider_axis_z;
    double hinge_axis_x;
    double hinge_axis_y;
    double hinge_axis_z;
    double linear_damping;
    double angular_damping;
    double max_coordinate_velocity;
    double slider_lower;
    double slider_upper;
    double slider_max_applied_impulse;
    double erp;
    double erp2;
    double friction_erp;
    double linear_slop;
    double warmstarting_factor;
    double least_squares_residual_threshold;
    double split_impulse_penetration_threshold;
} a3c_world_info;

/* Version of this API (A3C_ABI_VERSION of the build). */
A3C_API int32_t a3c_abi_version(void);

/* Message of the last failure on the calling thread; never NULL, "" when none.
   Owned by the library; valid until the next a3c_* call on the same thread. */
A3C_API const char* a3c_last_error(void);

/* Creates `count` (>= 1) identical systems, all at rest with x = 0 and theta = 0. */
A3C_API int32_t a3c_world_create(const a3c_cartpole_params* params, int32_t count, a3c_world** out_world);

/* Frees the world; NULL is accepted and ignored. */
A3C_API int32_t a3c_world_destroy(a3c_world* world);

/* Sets system `index` to `state` (4 doubles), clears pending forces, runs forward
   kinematics and updates the collider transforms. Writes the state read back from
   Bullet to `out_state` (4 doubles; may be NULL). Nothing is stepped. */
A3C_API int32_t a3c_world_reset(a3c_world* world, int32_t index, const double* state, double* out_state);

/* For every system i: adds forces[i] (newtons) to the slider, runs
   stepSimulation(dt, 1, dt) and writes its state to out_states[4*i .. 4*i+3].
   force_count must equal count and state_length must be 4*count. */
A3C_API int32_t a3c_world_step(a3c_world* world, const double* forces, int32_t force_count, double* out_states, int32_t state_length);

/* Writes the state of every system (4*count doubles) without stepping. */
A3C_API int32_t a3c_world_get_state(const a3c_world* world, double* out_states, int32_t state_length);

/* Reads back the model and solver settings of system `index`. */
A3C_API int32_t a3c_world_get_info(const a3c_world* world, int32_t index, a3c_world_info* out_info);

#ifdef __cplusplus
}
#endif

#endif /* A3C_BULLET_H */
