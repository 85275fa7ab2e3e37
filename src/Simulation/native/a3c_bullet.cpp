// The cart-pole of InvertedPendulumSwingupBulletEnv-v0 on Bullet's Featherstone classes.
// Each step of docs/env-spec.md section 4 is cited where it is implemented.

#include "a3c_bullet.h"

#include <btBulletDynamicsCommon.h>
#include <BulletDynamics/Featherstone/btMultiBody.h>
#include <BulletDynamics/Featherstone/btMultiBodyConstraintSolver.h>
#include <BulletDynamics/Featherstone/btMultiBodyDynamicsWorld.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointLimitConstraint.h>
#include <BulletDynamics/Featherstone/btMultiBodyLinkCollider.h>

#include <cmath>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef BT_USE_DOUBLE_PRECISION
#error "a3c_bullet must be compiled with -DBT_USE_DOUBLE_PRECISION against Bullet's -float64 libraries"
#endif

static_assert(sizeof(btScalar) == sizeof(double), "btScalar must be double");

namespace {

thread_local std::string t_lastError;

// Thrown inside the shim for bad arguments; mapped to A3C_INVALID_ARGUMENT.
class InvalidArgument : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr int kCartLink = 0;
constexpr int kPoleLink = 1;
constexpr int kLinkCount = 2;

// Pool sizes for btDefaultCollisionConfiguration. Bullet's defaults (4096 persistent manifolds and 4096 collision
// algorithms) preallocate and link about 7 MB per world, all of it resident from construction; K worlds per
// session made that most of EnvSim's memory (115 MB at K = 16). Every collider here has filter group 0 and mask 0
// (item 10), so the broadphase never forms a pair and neither pool is ever used; a pool that runs out falls back
// to btAlignedAlloc anyway. Must be at least 1 (btPoolAllocator's constructor loops count - 1 times).
constexpr int kCollisionPoolSize = 1;

btDefaultCollisionConstructionInfo collisionConstructionInfo()
{
    btDefaultCollisionConstructionInfo info;
    info.m_defaultMaxPersistentManifoldPoolSize = kCollisionPoolSize;
    info.m_defaultMaxCollisionAlgorithmPoolSize = kCollisionPoolSize;
    return info;
}

// One cart-pole in its own world (items 2-11). Members are declared in construction
// order, so they are destroyed in the reverse order Bullet needs.
class CartPole {
public:
    explicit CartPole(const a3c_cartpole_params& p)
        : m_timeStep(p.time_step),
          m_configuration(new btDefaultCollisionConfiguration(collisionConstructionInfo())),
          m_dispatcher(new btCollisionDispatcher(m_configuration.get())),
          m_broadphase(new btDbvtBroadphase()),
          m_solver(new btMultiBodyConstraintSolver()),
          m_world(new btMultiBodyDynamicsWorld(m_dispatcher.get(), m_broadphase.get(), m_solver.get(), m_configuration.get())),
          m_emptyShape(new btCompoundShape())
    {
        // Item 2: gravity (0, 0, -9.8).
        m_world->setGravity(btVector3(0, 0, -p.gravity));

        // Item 3: 5 iterations; m_erp = 0.2, split impulse on at -0.04 stay Bullet's defaults;
        // the settings pybullet changes are copied for fidelity.
        btContactSolverInfo& info = m_world->getSolverInfo();
        info.m_numIterations = p.solver_iterations;
        info.m_erp2 = p.erp2;
        info.m_frictionERP = p.friction_erp;
        info.m_linearSlop = p.linear_slop;
        info.m_warmstartingFactor = p.warmstarting_factor;
        info.m_minimumSolverBatchSize = p.minimum_solver_batch_size;
        info.m_leastSquaresResidualThreshold = p.least_squares_residual_threshold;

        // Item 4: fixed base of mass 0 at the identity, cannot sleep. Item 8: the
        // constructor's defaults (damping 0.04/0.04, gyroscopic term, max velocity 100) stay.
        m_body.reset(new btMultiBody(kLinkCount, 0, btVector3(0, 0, 0), true, false));
        m_body->setBaseWorldTransform(btTransform::getIdentity());

        const btQuaternion identity = btQuaternion::getIdentity();
        const btVector3 zero(0, 0, 0);

        // Item 5: the cart, prismatic along +x, both offsets zero.
        m_body->setupPrismatic(kCartLink, p.cart_mass,
                               btVector3(p.cart_inertia_x, p.cart_inertia_y, p.cart_inertia_z),
                               -1, identity, btVector3(1, 0, 0), zero, zero, true);

        // Item 6: the pole, revolute about +y, pivot at the cart's centre of mass.
        m_body->setupRevolute(kPoleLink, p.pole_mass,
                              btVector3(p.pole_inertia_x, p.pole_inertia_y, p.pole_inertia_z),
                              kCartLink, identity, btVector3(0, 1, 0), zero,
                              btVector3(p.pole_com_x, p.pole_com_y, p.pole_com_z), true);

        // Item 7.
        m_body->finalizeMultiDof();
        m_world->addMultiBody(m_body.get());

        // Item 10: a collider with an empty compound for the base and each link, filter
        // group 0 and mask 0. Without them the solver never sees the joint-limit row.
        for (int link = -1; link < kLinkCount; ++link) {
            std::unique_ptr<btMultiBodyLinkCollider> collider(new btMultiBodyLinkCollider(m_body.get(), link));
            collider->setCollisionShape(m_emptyShape.get());
            m_world->addCollisionObject(collider.get(), 0, 0);
            if (link < 0) {
                m_body->setBaseCollider(collider.get());
            } else {
                m_body->getLink(link).m_collider = collider.get();
            }
            m_colliders.push_back(std::move(collider));
        }

        // Item 9: the slider limit, maximum impulse left at its default of 100. No hinge limit.
        m_sliderLimit.reset(new btMultiBodyJointLimitConstraint(m_body.get(), kCartLink, p.slider_lower, p.slider_upper));
        m_world->addMultiBodyConstraint(m_sliderLimit.get());

        // Item 11: no motors, no joint damping or friction: nothing else is added.
        const double rest[A3C_STATE_SIZE] = {0, 0, 0, 0};
        reset(rest);
    }

    ~CartPole()
    {
        m_world->removeMultiBodyConstraint(m_sliderLimit.get());
        for (auto& collider : m_colliders) {
            m_world->removeCollisionObject(collider.get());
        }
        m_world->removeMultiBody(m_body.get());
    }

    CartPole(const CartPole&) = delete;
    CartPole& operator=(const CartPole&) = delete;

    // Item 12: joint state set directly, forces cleared, kinematics and colliders updated.
    void reset(const double* state)
    {
        m_body->setJointPos(kCartLink, state[0]);
        m_body->setJointVel(kCartLink, state[1]);
        m_body->setJointPos(kPoleLink, state[2]);
        m_body->setJointVel(kPoleLink, state[3]);
        m_body->clearForcesAndTorques();
        m_body->forwardKinematics(m_scratchRotations, m_scratchOrigins);
        m_body->updateCollisionObjectWorldTransforms(m_scratchRotations, m_scratchOrigins);
    }

    // Item 13: the force is already scaled and clipped by the caller. stepSimulation with
    // maxSubSteps = 1 and fixedTimeStep = timeStep performs exactly one internal step
    // (docs/env-spec.md section 3); anything else means the world's clock drifted.
    void step(double force)
    {
        m_body->addJointTorque(kCartLink, force);
        const int substeps = m_world->stepSimulation(m_timeStep, 1, m_timeStep);
        if (substeps != 1) {
            throw std::runtime_error("stepSimulation did not perform exactly one internal step");
        }
    }

    void readState(double* out) const
    {
        out[0] = m_body->getJointPos(kCartLink);
        out[1] = m_body->getJointVel(kCartLink);
        out[2] = m_body->getJointPos(kPoleLink);
        out[3] = m_body->getJointVel(kPoleLink);
    }

    void readInfo(a3c_world_info& out) const
    {
        const btContactSolverInfo& info = m_world->getSolverInfo();
        const btVector3 gravity = m_world->getGravity();
        const btVector3& cartInertia = m_body->getLinkInertia(kCartLink);
        const btVector3& poleInertia = m_body->getLinkInertia(kPoleLink);
        const btVector3& poleCom = m_body->getLink(kPoleLink).m_dVector;
        const btVector3& sliderAxis = m_body->getLink(kCartLink).getAxisBottom(0);
        const btVector3& hingeAxis = m_body->getLink(kPoleLink).getAxisTop(0);

        int group = 0;
        int mask = 0;
        for (const auto& collider : m_colliders) {
            const btBroadphaseProxy* proxy = collider->getBroadphaseHandle();
            if (proxy == nullptr) {
                throw std::runtime_error("a link collider has no broadphase proxy");
            }
            group |= proxy->m_collisionFilterGroup;
            mask |= proxy->m_collisionFilterMask;
        }

        out.link_count = m_body->getNumLinks();
        out.fixed_base = m_body->hasFixedBase() ? 1 : 0;
        out.can_sleep = m_body->getCanSleep() ? 1 : 0;
        out.use_gyro_term = m_body->getUseGyroTerm() ? 1 : 0;
        out.use_global_velocities = m_body->isUsingGlobalVelocities() ? 1 : 0;
        out.solver_iterations = info.m_numIterations;
        out.split_impulse = info.m_splitImpulse;
        out.minimum_solver_batch_size = info.m_minimumSolverBatchSize;
        out.multibody_constraint_count = m_world->getNumMultiBodyConstraints();
        out.collision_object_count = m_world->getNumCollisionObjects();
        out.collider_filter_group = group;
        out.collider_filter_mask = mask;
        out.reserved = 0;
        out.gravity_x = gravity.x();
        out.gravity_y = gravity.y();
        out.gravity_z = gravity.z();
        out.cart_mass = m_body->getLinkMass(kCartLink);
        out.cart_inertia_x = cartInertia.x();
        out.cart_inertia_y = cartInertia.y();
        out.cart_inertia_z = cartInertia.z();
        out.pole_mass = m_body->getLinkMass(kPoleLink);
        out.pole_inertia_x = poleInertia.x();
        out.pole_inertia_y = poleInertia.y();
        out.pole_inertia_z = poleInertia.z();
        out.pole_com_x = poleCom.x();
        out.pole_com_y = poleCom.y();
        out.pole_com_z = poleCom.z();
        out.slider_axis_x = sliderAxis.x();
        out.slider_axis_y = sliderAxis.y();
        out.slider_axis_z = sliderAxis.z();
        out.hinge_axis_x = hingeAxis.x();
        out.hinge_axis_y = hingeAxis.y();
        out.hinge_axis_z = hingeAxis.z();
        out.linear_damping = m_body->getLinearDamping();
        out.angular_damping = m_body->getAngularDamping();
        out.max_coordinate_velocity = m_body->getMaxCoordinateVelocity();
        out.slider_lower = m_sliderLimit->getLowerBound();
        out.slider_upper = m_sliderLimit->getUpperBound();
        out.slider_max_applied_impulse = m_sliderLimit->getMaxAppliedImpulse();
        out.erp = info.m_erp;
        out.erp2 = info.m_erp2;
        out.friction_erp = info.m_frictionERP;
        out.linear_slop = info.m_linearSlop;
        out.warmstarting_factor = info.m_warmstartingFactor;
        out.least_squares_residual_threshold = info.m_leastSquaresResidualThreshold;
        out.split_impulse_penetration_threshold = info.m_splitImpulsePenetrationThreshold;
    }

private:
    double m_timeStep;
    std::unique_ptr<btDefaultCollisionConfiguration> m_configuration;
    std::unique_ptr<btCollisionDispatcher> m_dispatcher;
    std::unique_ptr<btDbvtBroadphase> m_broadphase;
    std::unique_ptr<btMultiBodyConstraintSolver> m_solver;
    std::unique_ptr<btMultiBodyDynamicsWorld> m_world;
    std::unique_ptr<btCompoundShape> m_emptyShape;
    std::unique_ptr<btMultiBody> m_body;
    std::vector<std::unique_ptr<btMultiBodyLinkCollider>> m_colliders;
    std::unique_ptr<btMultiBodyJointLimitConstraint> m_sliderLimit;
    btAlignedObjectArray<btQuaternion> m_scratchRotations;
    btAlignedObjectArray<btVector3> m_scratchOrigins;
};

void require(bool condition, const char* message)
{
    if (!condition) {
        throw InvalidArgument(message);
    }
}

bool positiveFinite(double value)
{
    return std::isfinite(value) && value > 0;
}

void validate(const a3c_cartpole_params& p)
{
    require(p.struct_size == static_cast<int32_t>(sizeof(a3c_cartpole_params)),
            "params.struct_size does not match this build of a3c_bullet (managed and native layouts differ)");
    require(p.reserved == 0, "params.reserved must be 0");
    require(p.solver_iterations >= 1, "params.solver_iterations must be at least 1");
    require(p.minimum_solver_batch_size >= 0, "params.minimum_solver_batch_size must not be negative");
    require(positiveFinite(p.time_step), "params.time_step must be finite and positive");
    require(std::isfinite(p.gravity), "params.gravity must be finite");
    require(positiveFinite(p.cart_mass) && positiveFinite(p.pole_mass), "masses must be finite and positive");
    require(positiveFinite(p.cart_inertia_x) && positiveFinite(p.cart_inertia_y) && positiveFinite(p.cart_inertia_z),
            "cart inertia must be finite and positive");
    require(positiveFinite(p.pole_inertia_x) && positiveFinite(p.pole_inertia_y) && positiveFinite(p.pole_inertia_z),
            "pole inertia must be finite and positive");
    require(std::isfinite(p.pole_com_x) && std::isfinite(p.pole_com_y) && std::isfinite(p.pole_com_z),
            "pole centre of mass must be finite");
    require(std::isfinite(p.slider_lower) && std::isfinite(p.slider_upper) && p.slider_lower < p.slider_upper,
            "slider limits must be finite with lower < upper");
    require(std::isfinite(p.erp2) && std::isfinite(p.friction_erp) && std::isfinite(p.linear_slop) &&
                std::isfinite(p.warmstarting_factor) && std::isfinite(p.least_squares_residual_threshold),
            "solver settings must be finite");
}

template <typename Action>
int32_t guarded(Action&& action) noexcept
{
    try {
        action();
        return A3C_OK;
    } catch (const InvalidArgument& e) {
        t_lastError = e.what();
        return A3C_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        t_lastError = "out of memory";
        return A3C_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        t_lastError = e.what();
        return A3C_NATIVE_ERROR;
    } catch (...) {
        t_lastError = "unknown native exception";
        return A3C_UNKNOWN_ERROR;
    }
}

}  // namespace

struct a3c_world {
    std::vector<std::unique_ptr<CartPole>> systems;

    CartPole& at(int32_t index) const
    {
        require(index >= 0 && static_cast<size_t>(index) < systems.size(), "index is out of range");
        return *systems[static_cast<size_t>(index)];
    }

    void requireStateLength(int32_t length) const
    {
        require(length >= 0 && static_cast<size_t>(length) == systems.size() * A3C_STATE_SIZE,
                "state buffer length must be 4 * count");
    }
};

extern "C" {

A3C_API int32_t a3c_abi_version(void)
{
    return A3C_ABI_VERSION;
}

A3C_API const char* a3c_last_error(void)
{
    return t_lastError.c_str();
}

A3C_API int32_t a3c_world_create(const a3c_cartpole_params* params, int32_t count, a3c_world** out_world)
{
    return guarded([&] {
        require(out_world != nullptr, "out_world is NULL");
        *out_world = nullptr;
        require(params != nullptr, "params is NULL");
        require(count >= 1, "count must be at least 1");
        validate(*params);
        std::unique_ptr<a3c_world> world(new a3c_world());
        world->systems.reserve(static_cast<size_t>(count));
        for (int32_t i = 0; i < count; ++i) {
            world->systems.emplace_back(new CartPole(*params));
        }
        *out_world = world.release();
    });
}

A3C_API int32_t a3c_world_destroy(a3c_world* world)
{
    return guarded([&] { delete world; });
}

A3C_API int32_t a3c_world_reset(a3c_world* world, int32_t index, const double* state, double* out_state)
{
    return guarded([&] {
        require(world != nullptr, "world is NULL");
        require(state != nullptr, "state is NULL");
        for (int i = 0; i < A3C_STATE_SIZE; ++i) {
            require(std::isfinite(state[i]), "state values must be finite");
        }
        CartPole& system = world->at(index);
        system.reset(state);
        if (out_state != nullptr) {
            system.readState(out_state);
        }
    });
}

A3C_API int32_t a3c_world_step(a3c_world* world, const double* forces, int32_t force_count, double* out_states, int32_t state_length)
{
    return guarded([&] {
        require(world != nullptr, "world is NULL");
        require(forces != nullptr, "forces is NULL");
        require(out_states != nullptr, "out_states is NULL");
        require(force_count >= 0 && static_cast<size_t>(force_count) == world->systems.size(), "force_count must equal count");
        world->requireStateLength(state_length);
        for (int32_t i = 0; i < force_count; ++i) {
            require(std::isfinite(forces[i]), "forces must be finite");
        }
        for (size_t i = 0; i < world->systems.size(); ++i) {
            world->systems[i]->step(forces[i]);
            world->systems[i]->readState(out_states + i * A3C_STATE_SIZE);
        }
    });
}

A3C_API int32_t a3c_world_get_state(const a3c_world* world, double* out_states, int32_t state_length)
{
    return guarded([&] {
        require(world != nullptr, "world is NULL");
        require(out_states != nullptr, "out_states is NULL");
        world->requireStateLength(state_length);
        for (size_t i = 0; i < world->systems.size(); ++i) {
            world->systems[i]->readState(out_states + i * A3C_STATE_SIZE);
        }
    });
}

A3C_API int32_t a3c_world_get_info(const a3c_world* world, int32_t index, a3c_world_info* out_info)
{
    return guarded([&] {
        require(world != nullptr, "world is NULL");
        require(out_info != nullptr, "out_info is NULL");
        require(out_info->struct_size == static_cast<int32_t>(sizeof(a3c_world_info)),
                "out_info->struct_size does not match this build of a3c_bullet (managed and native layouts differ)");
        world->at(index).readInfo(*out_info);
    });
}

}  // extern "C"
